# The optional scheduled drift report (drift_schedule, empty = off): an
# EventBridge rule invokes the function with {"connect_scim_action": "drift"},
# and the report prints DriftedUsers, UnmanagedUsers and MissingProfiles
# (namespace ConnectScim, dimension Report = drift). It calls only
# connect:SearchUsers, ListSecurityProfiles and DescribeUser, which the role
# already has (ConnectReads in lambda.tf): the schedule grants nothing new.

locals {
  drift = var.drift_schedule == "" ? 0 : 1
}

resource "aws_cloudwatch_event_rule" "drift" {
  count               = local.drift
  name                = "${var.name_prefix}-drift"
  description         = "connect-scim drift report for Amazon Connect instance ${var.connect_instance_id}"
  schedule_expression = var.drift_schedule
}

resource "aws_cloudwatch_event_target" "drift" {
  count     = local.drift
  rule      = aws_cloudwatch_event_rule.drift[0].name
  target_id = "drift"
  arn       = aws_lambda_function.scim.arn
  input     = jsonencode({ connect_scim_action = "drift" })
}

resource "aws_lambda_permission" "drift" {
  count         = local.drift
  statement_id  = "AllowEventBridgeDrift"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.scim.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.drift[0].arn
}

# The schedule is the function's only asynchronous caller. A failed run is
# not retried: the next scheduled run reports afresh, and two retries would
# spend the Connect quota the IdP's requests share.
resource "aws_lambda_function_event_invoke_config" "drift" {
  count                  = local.drift
  function_name          = aws_lambda_function.scim.function_name
  maximum_retry_attempts = 0
}

# DriftedUsers > 0 in the latest run. A run prints its counts once, so
# missing data keeps the state ("ignore"): the alarm stays in ALARM until a
# run reports 0. This function's aggregate (FunctionName beside Report), for
# the reason given in alarms.tf.
resource "aws_cloudwatch_metric_alarm" "drifted_users" {
  count               = local.drift
  alarm_name          = "${var.name_prefix}-drifted-users"
  alarm_description   = "The drift report found Connect users whose state differs from what SCIM last wrote (changed outside the IdP); see the function's log for the users."
  namespace           = local.metric_ns
  metric_name         = "DriftedUsers"
  dimensions          = { Report = "drift", FunctionName = aws_lambda_function.scim.function_name }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "ignore"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
