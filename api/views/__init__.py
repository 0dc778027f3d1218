"""The API's endpoints: thin adapters over integrations' and employees' selectors and services."""
