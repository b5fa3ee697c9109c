"""The ground floor: configuration, clock, AWS clients, DynamoDB access and keys, item types, errors, logs."""
