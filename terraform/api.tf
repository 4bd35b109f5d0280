# The API Gateway REST API, imported from the repository's swagger.json as
# is: API Gateway fills ${AWS::Partition}, ${AWS::Region} and
# ${AWS::AccountId} at import, and the stage variable lambdaFunctionName
# names the function, so the same file serves CloudFormation unchanged.

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

resource "aws_api_gateway_deployment" "scim" {
  rest_api_id = aws_api_gateway_rest_api.scim.id

  triggers = {
    redeployment = sha1(aws_api_gateway_rest_api.scim.body)
  }

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
