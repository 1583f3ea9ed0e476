"""HTTP route blueprints for the shop."""
