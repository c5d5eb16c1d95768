"""One module per pay component, named after its `type`; each registers its
configuration with `sim.plans.registry.register` (see `sim.plans.base`)."""
