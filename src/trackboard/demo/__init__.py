"""The demo: the seed's workflow, end to end, on scikit-learn's digits."""
