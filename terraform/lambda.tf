# The function: one binary (bootstrap) serving the SCIM router through
# lambda_http, with a least-privilege role.

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.scim.arn
}

resource "aws_lambda_function" "scim" {
  function_name                  = local.function_name
  description                    = "SCIM 2.0 service provider for Amazon Connect instance ${var.connect_instance_id}"
  role                           = aws_iam_role.function.arn
  runtime                        = "provided.al2023"
  architectures                  = ["arm64"]
  handler                        = "bootstrap"
  filename                       = var.lambda_zip_path
  source_code_hash               = filebase64sha256(var.lambda_zip_path)
  memory_size                    = 256
  timeout                        = 30
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = aws_kms_key.scim.arn

  environment {
    variables = {
      CONNECT_INSTANCE_ID       = var.connect_instance_id
      SCIM_TOKEN_SECRET_ARN     = aws_secretsmanager_secret.token.arn
      DEFAULT_SECURITY_PROFILES = var.default_security_profiles
      DEFAULT_ROUTING_PROFILE   = var.default_routing_profile
      DISABLED_SECURITY_PROFILE = aws_connect_security_profile.disabled.name
      DEACTIVATION              = var.deactivation
      REQUEST_DEADLINE_MS       = tostring(var.request_deadline_ms)
      QUOTA_TABLE               = local.quota_table_name
      CONNECT_QUOTA_SCOPE       = var.connect_quota_scope
      CONNECT_QUOTA_OVERRIDES   = var.connect_quota_overrides
      CONNECT_RATE_LIMIT        = tostring(var.connect_rate_limit)
      CONNECT_BURST             = tostring(var.connect_burst)
      LOG_FORMAT                = "json"
      RUST_LOG                  = var.rust_log
    }
  }

  tracing_config {
    mode = var.enable_xray ? "Active" : "PassThrough"
  }

  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]
}

resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.scim.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.scim.execution_arn}/*"
}

resource "aws_iam_role" "function" {
  name_prefix        = "${var.name_prefix}-"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "connect-scim"
  role   = aws_iam_role.function.id
  policy = jsonencode(local.function_policy)
}

# The Connect actions the function calls at runtime, and no more: those only
# `connect-scim check` uses (ListUsers, ListTagsForResource) are for the
# operator's credentials. DescribeInstance (the instance's identity type, at
# most once per execution environment) is granted on the instance alone.
# Where Connect's IAM supports aws:ResourceTag, writes are conditioned on the
# tags SCIM itself sets; see the README's "What the role may do" table.
locals {
  connect_read_actions = [
    "connect:DescribeUser",
    "connect:SearchUsers",
    "connect:ListSecurityProfiles",
    "connect:DescribeSecurityProfile",
    "connect:SearchSecurityProfiles",
    "connect:ListRoutingProfiles",
    "connect:SearchUserHierarchyGroups",
    "connect:ListAgentStatuses",
    "connect:ListUserProficiencies",
    "connect:DescribePredefinedAttribute",
  ]
  connect_user_write_actions = [
    "connect:UpdateUserIdentityInfo",
    "connect:UpdateUserPhoneConfig",
    "connect:UpdateUserRoutingProfile",
    "connect:UpdateUserHierarchy",
    "connect:UpdateUserSecurityProfiles",
    "connect:PutUserStatus",
    "connect:AssociateUserProficiencies",
    "connect:UpdateUserProficiencies",
    "connect:DisassociateUserProficiencies",
    "connect:DeleteUser",
  ]
  connect_agents = "${local.connect_instance_arn}/agent/*"
  connect_profiles = [
    "${local.connect_instance_arn}/security-profile/*",
    "${local.connect_instance_arn}/routing-profile/*",
    "${local.connect_instance_arn}/agent-group/*",
    "${local.connect_instance_arn}/agent-state/*",
    "${local.connect_instance_arn}/predefined-attribute/*",
  ]
  connect_security_profiles = "${local.connect_instance_arn}/security-profile/*"
}

# A policy document built as a value (not a data source) so that it is known
# at plan, where terraform/tests checks it.
locals {
  function_policy = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "ConnectReads"
        Effect   = "Allow"
        Action   = local.connect_read_actions
        Resource = local.connect_resource_arns
      },
      # The instance's identity type decides whether CreateUser needs both
      # names (checked before the call, and published in /Schemas).
      {
        Sid      = "ConnectDescribeInstance"
        Effect   = "Allow"
        Action   = ["connect:DescribeInstance"]
        Resource = [local.connect_instance_arn]
      },
      # CreateUser carries the user's first tags (scim:managed among them), so
      # it cannot be conditioned on them.
      {
        Sid      = "ConnectCreateUsers"
        Effect   = "Allow"
        Action   = ["connect:CreateUser"]
        Resource = local.connect_resource_arns
      },
      # Writes and deletes of an agent: only agents tagged scim:managed=true
      # (restrict_to_managed_users). IAM checks each resource a call names on
      # its own, so the profiles and groups these calls name are granted in
      # the next statement, unconditioned: they carry no such tag.
      merge(
        {
          Sid      = "ConnectWriteAgents"
          Effect   = "Allow"
          Action   = local.connect_user_write_actions
          Resource = [local.connect_agents]
        },
        var.restrict_to_managed_users ? {
          Condition = { StringEquals = { "aws:ResourceTag/scim:managed" = "true" } }
        } : {},
      ),
      {
        Sid      = "ConnectProfilesAgentWritesName"
        Effect   = "Allow"
        Action   = local.connect_user_write_actions
        Resource = concat([local.connect_instance_arn], local.connect_profiles)
      },
      {
        Sid      = "ConnectCreateSecurityProfiles"
        Effect   = "Allow"
        Action   = ["connect:CreateSecurityProfile"]
        Resource = [local.connect_instance_arn, local.connect_security_profiles]
      },
      # Only the groups SCIM created (scim:createdBy=scim) are ever deleted.
      {
        Sid       = "ConnectDeleteOwnSecurityProfiles"
        Effect    = "Allow"
        Action    = ["connect:DeleteSecurityProfile"]
        Resource  = [local.connect_security_profiles]
        Condition = { StringEquals = { "aws:ResourceTag/scim:createdBy" = "scim" } }
      },
      # Tags: not conditioned on the resource's tags (the first scim: tag must
      # be writable, e.g. when an existing profile is linked as a group), but
      # only scim: keys; the service never touches other tags.
      {
        Sid       = "ConnectScimTagsOnly"
        Effect    = "Allow"
        Action    = ["connect:TagResource", "connect:UntagResource"]
        Resource  = [local.connect_instance_arn, local.connect_agents, local.connect_security_profiles]
        Condition = { "ForAllValues:StringLike" = { "aws:TagKeys" = ["scim:*"] } }
      },
      {
        Sid      = "ReadTheTokenSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [aws_secretsmanager_secret.token.arn]
      },
      # The stack key decrypts the token secret (through Secrets Manager) and
      # the function's environment (through Lambda), never directly.
      {
        Sid      = "DecryptSecretAndEnvironment"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.scim.arn]
        Condition = { StringEquals = { "kms:ViaService" = [
          "secretsmanager.${local.region}.amazonaws.com",
          "lambda.${local.region}.amazonaws.com",
        ] } }
      },
      {
        Sid      = "QuotaBucketsAndLeases"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        Resource = [local.quota_table_arn]
      },
      # The quota table's key, through DynamoDB and for that table only: the
      # stack key, or whichever key encrypts a shared table (quota_table_name).
      {
        Sid      = "QuotaTableKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = local.create_quota_table ? [aws_kms_key.scim.arn] : ["*"]
        Condition = { StringEquals = {
          "kms:ViaService"                               = "dynamodb.${local.region}.amazonaws.com"
          "kms:EncryptionContext:aws:dynamodb:tableName" = local.quota_table_name
        } }
      },
      # Once at start, to key the quota buckets by account and region. AWS
      # answers GetCallerIdentity without any grant; it is listed so that the
      # role names every call the function makes. It has no resource.
      {
        Sid      = "WhoAmI"
        Effect   = "Allow"
        Action   = ["sts:GetCallerIdentity"]
        Resource = ["*"]
      },
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.function.arn}:*"]
      },
      ], var.enable_xray ? [
      {
        Sid    = "WriteTraces"
        Effect = "Allow"
        # X-Ray trace APIs have no resource-level permissions.
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      },
    ] : [])
  }
}
