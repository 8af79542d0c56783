"""Maintenance by use: plans per kind or item, what is due, the maintenance done, machine hours; owns maintenance_plan and maintenance_record."""
