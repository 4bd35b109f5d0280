# One customer-managed key, rotated yearly, for the token secret, the log
# groups, the function's environment and the quota table.

resource "aws_kms_key" "scim" {
  description             = "${var.name_prefix}: token secret, logs, function environment and quota table"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = jsonencode(local.kms_policy)
}

resource "aws_kms_alias" "scim" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.scim.key_id
}

# A key policy's "*" resource means this key only.
locals {
  kms_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      # CloudWatch Logs may use the key for this stack's three log groups only.
      {
        Sid       = "CloudWatchLogsEncryptsOwnLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = [
              "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${local.function_name}",
              "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/apigateway/${var.name_prefix}",
              "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.scim.id}/${var.stage_name}",
            ]
          }
        }
      },
    ]
  }
}
