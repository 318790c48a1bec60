"""CloudFormation rules."""
