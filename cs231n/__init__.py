"""Numpy code for the backpropagation and fully connected networks homework (CS231n style)."""
