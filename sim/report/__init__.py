"""Presenting results: the console table now; plots and the HTML report later."""
