"""autofix: minimal-diff fixes for AWS CloudFormation templates and CDK Python apps."""

__version__ = "0.1.0"
