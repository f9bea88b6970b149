"""Geography: offline geocoding of French communes and postal codes, distances, time zones."""
