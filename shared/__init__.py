"""The project's shared package: models, domain logic, DynamoDB access, errors, observability.

Shipped to every Lambda function as a layer (see template.yaml, SharedLayer). Read DESIGN.md beside this
file for the single-table model.
"""
