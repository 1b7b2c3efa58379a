"""Team mode: several colleagues answer the checks for one cluster; their combined result."""
