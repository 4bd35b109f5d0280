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
  policy = data.aws_iam_policy_document.function.json
}

data "aws_iam_policy_document" "function" {
  statement {
    sid = "ConnectOnThisInstanceOnly"
    actions = [
      "connect:CreateUser",
      "connect:DescribeUser",
      "connect:DeleteUser",
      "connect:ListUsers",
      "connect:SearchUsers",
      "connect:UpdateUserIdentityInfo",
      "connect:UpdateUserSecurityProfiles",
      "connect:UpdateUserRoutingProfile",
      "connect:UpdateUserPhoneConfig",
      "connect:UpdateUserHierarchy",
      "connect:ListSecurityProfiles",
      "connect:DescribeSecurityProfile",
      "connect:CreateSecurityProfile",
      "connect:DeleteSecurityProfile",
      "connect:ListRoutingProfiles",
      "connect:DescribeRoutingProfile",
      "connect:ListUserHierarchyGroups",
      "connect:DescribeUserHierarchyGroup",
      "connect:TagResource",
      "connect:UntagResource",
      "connect:ListTagsForResource",
      "connect:DescribeInstance",
    ]
    resources = local.connect_resource_arns
  }

  statement {
    sid       = "ReadTheTokenSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.token.arn]
  }

  statement {
    sid       = "DecryptWithTheStackKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.scim.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  dynamic "statement" {
    for_each = var.enable_xray ? [1] : []
    content {
      sid = "WriteTraces"
      # X-Ray trace APIs have no resource-level permissions.
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}
