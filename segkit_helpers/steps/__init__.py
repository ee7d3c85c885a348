"""One module per notebook: what each step of the cycle calls."""
