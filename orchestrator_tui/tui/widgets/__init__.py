"""One widget per module; a ``.tcss`` beside each widget group."""
