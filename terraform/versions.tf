# connect-scim on AWS Lambda behind an API Gateway REST API.
# Provider and Terraform versions this configuration is written for:
# Terraform 1.11 for write-only arguments and ephemeral resources (the token
# never enters the plan or the state), and the AWS provider 5.100 for
# aws_secretsmanager_random_password and secret_string_wo.

terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  default_tags {
    tags = var.tags
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # The Connect instance and the sub-resources the function may touch
  # (agents, security profiles, routing profiles, hierarchy groups).
  connect_instance_arn = "arn:${local.partition}:connect:${local.region}:${local.account_id}:instance/${var.connect_instance_id}"
  connect_resource_arns = [
    local.connect_instance_arn,
    "${local.connect_instance_arn}/agent/*",
    "${local.connect_instance_arn}/security-profile/*",
    "${local.connect_instance_arn}/routing-profile/*",
    "${local.connect_instance_arn}/agent-group/*",
  ]

  function_name = var.name_prefix
}
