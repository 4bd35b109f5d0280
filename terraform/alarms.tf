# Alarms: function errors, API 5XX, and throttling — Connect throttling and
# SCIM 429 answers from the function's EMF metrics, and Lambda rejecting
# invocations beyond the reserved concurrency.
#
# The EMF alarms read the per-function aggregate, dimension FunctionName
# alone, which the function prints beside the per-Operation set. Not a SUM
# over the Operation values: CloudWatch alarms refuse SEARCH, and metric math
# over explicit metrics would need every route listed (more than the 10
# metrics an alarm may name, and a new route would escape it). Not a
# dimensionless aggregate either: the Operation metrics name no stack, so an
# alarm on them, or on a [] set, would fire for every connect-scim function
# of the account and region. FunctionName keeps each stack's alarms on its
# own function, as the log metric filters these replace did (they read the
# stack's log group) without a second copy of the numbers.

locals {
  alarm_actions = var.alarm_topic_arn == "" ? [] : [var.alarm_topic_arn]
  metric_ns     = "ConnectScim"
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  alarm_name          = "${var.name_prefix}-function-errors"
  alarm_description   = "The function failed (crash, timeout or unhandled error)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.scim.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "function_throttles" {
  alarm_name          = "${var.name_prefix}-function-throttles"
  alarm_description   = "Lambda rejected invocations beyond the reserved concurrency (the IdP got a 502 and will retry); raise reserved_concurrency, which costs no Connect quota."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.scim.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name_prefix}-api-5xx"
  alarm_description   = "API Gateway answered 5XX (function errors, timeouts at 29 s, or 500/503 from the function)."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = aws_api_gateway_rest_api.scim.name, Stage = aws_api_gateway_stage.scim.stage_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "connect_throttled" {
  alarm_name          = "${var.name_prefix}-connect-throttled"
  alarm_description   = "Amazon Connect answered ThrottlingException (retried, and the shared bucket slowed for every instance); sustained, another caller shares the account's Connect quota or the configured rate is above it."
  namespace           = local.metric_ns
  metric_name         = "ConnectThrottles"
  dimensions          = { FunctionName = aws_lambda_function.scim.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "scim_429" {
  alarm_name          = "${var.name_prefix}-scim-429"
  alarm_description   = "The function answered 429 to the IdP: the Connect quota (or a user's write lease) could not serve the request within its deadline."
  namespace           = local.metric_ns
  metric_name         = "Answered429"
  dimensions          = { FunctionName = aws_lambda_function.scim.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
