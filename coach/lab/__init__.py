"""The Sampling Lab: a grid of sampling settings, next-token distributions, diversity figures."""
