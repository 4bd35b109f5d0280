# The API Gateway REST API, imported from the repository's swagger.json as
# is: API Gateway fills ${AWS::Partition}, ${AWS::Region} and
# ${AWS::AccountId} at import, and the stage variable lambdaFunctionName
# names the function, so the same file serves CloudFormation unchanged.
#
# The gateway responses in swagger.json answer THROTTLED (the stage throttle)
# 429 with Retry-After. INTEGRATION_FAILURE, which is also what a Lambda
# throttle beyond reserved_concurrency becomes, stays 502 without Retry-After:
# a gateway response cannot tell a throttle from a crash, a missing invoke
# permission or a KMS failure, and a 429 there would have both IdPs retry a
# broken deployment quietly and keep it off the api-5xx alarm. The
# function-throttles alarm says when to raise reserved_concurrency, which no
# longer costs Connect quota (the buckets are shared in DynamoDB).

resource "aws_api_gateway_rest_api" "scim" {
  name        = var.name_prefix
  description = "SCIM 2.0 for Amazon Connect instance ${var.connect_instance_id}"
  body        = file("${path.module}/../swagger.json")

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Optional source-IP allow-list (allowed_source_cidrs): every other source
# gets API Gateway's 403 (a SCIM error through the ACCESS_DENIED response).
locals {
  api_policy = length(var.allowed_source_cidrs) == 0 ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Invoke"
        Effect    = "Allow"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "execute-api:/*"
      },
      {
        Sid       = "OnlyFromAllowedSources"
        Effect    = "Deny"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "execute-api:/*"
        Condition = { NotIpAddress = { "aws:SourceIp" = var.allowed_source_cidrs } }
      },
    ]
  })
}

resource "aws_api_gateway_rest_api_policy" "allow_list" {
  count       = local.api_policy == null ? 0 : 1
  rest_api_id = aws_api_gateway_rest_api.scim.id
  policy      = local.api_policy
}

resource "aws_api_gateway_deployment" "scim" {
  rest_api_id = aws_api_gateway_rest_api.scim.id

  # A changed resource policy, like a changed swagger.json, takes effect
  # only with a new deployment.
  triggers = {
    redeployment = sha1(join("\n", [aws_api_gateway_rest_api.scim.body, coalesce(local.api_policy, "none")]))
  }

  depends_on = [aws_api_gateway_rest_api_policy.allow_list]

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "scim" {
  rest_api_id          = aws_api_gateway_rest_api.scim.id
  deployment_id        = aws_api_gateway_deployment.scim.id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.enable_xray

  variables = {
    lambdaFunctionName = aws_lambda_function.scim.function_name
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    # No request headers are logged: the Authorization header never leaves API Gateway.
    format = jsonencode({
      requestId          = "$context.requestId"
      ip                 = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      path               = "$context.path"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      responseLatency    = "$context.responseLatency"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
      errorType          = "$context.error.responseType"
    })
  }

  depends_on = [aws_api_gateway_account.scim, aws_cloudwatch_log_group.api_execution]
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.scim.id
  stage_name  = aws_api_gateway_stage.scim.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false
    caching_enabled        = false
    cache_data_encrypted   = true
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.scim.arn
}

# Created here (rather than by API Gateway on first error) so that it is
# encrypted, expires, and goes away with the stack.
resource "aws_cloudwatch_log_group" "api_execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.scim.id}/${var.stage_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.scim.arn
}

# Stage logging needs a CloudWatch role set once per account and region.
resource "aws_api_gateway_account" "scim" {
  count               = var.manage_api_gateway_account ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.api_gateway_logs[0].arn

  depends_on = [aws_iam_role_policy_attachment.api_gateway_logs]
}

resource "aws_iam_role" "api_gateway_logs" {
  count              = var.manage_api_gateway_account ? 1 : 0
  name_prefix        = "${var.name_prefix}-apigw-logs-"
  assume_role_policy = data.aws_iam_policy_document.assume_api_gateway.json
}

resource "aws_iam_role_policy_attachment" "api_gateway_logs" {
  count      = var.manage_api_gateway_account ? 1 : 0
  role       = aws_iam_role.api_gateway_logs[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

data "aws_iam_policy_document" "assume_api_gateway" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}
