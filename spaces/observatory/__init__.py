"""The territory observatory: territories, the anonymous search log, figures and host statistics."""
