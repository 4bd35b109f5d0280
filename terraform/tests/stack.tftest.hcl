# Plans the stack and checks its security-relevant settings: what the
# function's role may do and on which conditions, KMS encryption of the
# secret, logs and quota table, the write-only token, the input validations.
# Run by scripts/deploy-checks.sh, offline: the AWS provider is pointed at
# tests/fake_aws.py on loopback (AWS_ENDPOINT_URL), and the values AWS would
# assign at apply are overridden so the policies are known at plan.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  connect_instance_id = "0c1d2e3f-0000-4000-8000-000000000001"
  lambda_zip_path     = "tests/artifact.txt"
}

override_data {
  target          = data.aws_caller_identity.current
  override_during = plan
  values = {
    account_id = "123456789012"
  }
}

override_resource {
  target          = aws_kms_key.scim
  override_during = plan
  values = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-00000000c0de"
    key_id = "00000000-0000-4000-8000-00000000c0de"
  }
}

override_resource {
  target          = aws_secretsmanager_secret.token
  override_during = plan
  values = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-scim-token-AbCdEf"
    id  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:connect-scim-token-AbCdEf"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.function
  override_during = plan
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/connect-scim"
  }
}

override_resource {
  target          = aws_api_gateway_rest_api.scim
  override_during = plan
  values = {
    id            = "a1b2c3d4e5"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
  }
}

override_resource {
  target          = aws_api_gateway_stage.scim
  override_during = plan
  values = {
    arn = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod"
  }
}

run "defaults" {
  command = plan

  # The Connect actions granted: exactly those the function calls at runtime.
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      [for a in flatten([s.Action]) : a if startswith(a, "connect:")]
      ])) == toset([
      "connect:CreateUser", "connect:DescribeUser", "connect:DeleteUser", "connect:SearchUsers",
      "connect:UpdateUserIdentityInfo", "connect:UpdateUserPhoneConfig", "connect:UpdateUserRoutingProfile",
      "connect:UpdateUserHierarchy", "connect:UpdateUserSecurityProfiles",
      "connect:ListSecurityProfiles", "connect:DescribeSecurityProfile", "connect:SearchSecurityProfiles",
      "connect:CreateSecurityProfile",
      "connect:DeleteSecurityProfile", "connect:ListRoutingProfiles", "connect:SearchUserHierarchyGroups",
      "connect:TagResource", "connect:UntagResource",
      "connect:ListAgentStatuses", "connect:PutUserStatus", "connect:ListUserProficiencies",
      "connect:AssociateUserProficiencies", "connect:UpdateUserProficiencies",
      "connect:DisassociateUserProficiencies", "connect:DescribePredefinedAttribute",
      "connect:DescribeInstance",
    ])
    error_message = "The role's Connect actions are not exactly the runtime set (check-only actions such as ListUsers, ListTagsForResource must stay out)."
  }

  # DescribeInstance (the identity type, once per execution environment) is
  # granted on the instance itself and nothing else.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      flatten([s.Resource]) == ["arn:aws:connect:us-east-1:123456789012:instance/0c1d2e3f-0000-4000-8000-000000000001"]
      && flatten([s.Action]) == ["connect:DescribeInstance"]
      if contains(flatten([s.Action]), "connect:DescribeInstance")
    ])
    error_message = "DescribeInstance is granted beyond the instance ARN, or with other actions."
  }

  # Agents are only written or deleted when they carry scim:managed=true.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/scim:managed"], "") == "true"
      if contains(flatten([s.Resource]), "arn:aws:connect:us-east-1:123456789012:instance/0c1d2e3f-0000-4000-8000-000000000001/agent/*")
      && length(setintersection(toset(flatten([s.Action])), toset(["connect:UpdateUserIdentityInfo", "connect:UpdateUserPhoneConfig", "connect:UpdateUserRoutingProfile", "connect:UpdateUserHierarchy", "connect:UpdateUserSecurityProfiles", "connect:PutUserStatus", "connect:AssociateUserProficiencies", "connect:UpdateUserProficiencies", "connect:DisassociateUserProficiencies", "connect:DeleteUser"]))) > 0
    ])
    error_message = "A statement lets the function write or delete agents without the scim:managed=true condition."
  }

  # A security profile is only deleted when SCIM created it.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      try(s.Condition.StringEquals["aws:ResourceTag/scim:createdBy"], "") == "scim"
      if contains(flatten([s.Action]), "connect:DeleteSecurityProfile")
    ])
    error_message = "DeleteSecurityProfile is granted without the scim:createdBy=scim condition."
  }

  # Tags: only scim: keys are ever written or removed.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      try(s.Condition["ForAllValues:StringLike"]["aws:TagKeys"], []) == ["scim:*"]
      if length(setintersection(toset(flatten([s.Action])), toset(["connect:TagResource", "connect:UntagResource"]))) > 0
    ])
    error_message = "TagResource/UntagResource are granted for tag keys other than scim:*."
  }

  # Every Connect grant stays on this instance.
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement : [
        for r in flatten([s.Resource]) :
        startswith(r, "arn:aws:connect:us-east-1:123456789012:instance/0c1d2e3f-0000-4000-8000-000000000001")
      ] if anytrue([for a in flatten([s.Action]) : startswith(a, "connect:")])
    ]))
    error_message = "A Connect grant reaches beyond this instance."
  }

  # KMS is only used through the services that hold data under the key.
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      can(s.Condition.StringEquals["kms:ViaService"])
      if anytrue([for a in flatten([s.Action]) : startswith(a, "kms:")])
    ])
    error_message = "A kms: grant lacks a kms:ViaService condition."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      [for a in flatten([s.Action]) : a if startswith(a, "dynamodb:")]
    ])) == toset(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"])
    error_message = "The function's DynamoDB actions are not exactly Get/Put/Update/DeleteItem (DescribeTable is for `connect-scim check` only)."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      flatten([s.Resource]) == ["arn:aws:dynamodb:us-east-1:123456789012:table/connect-scim-quota"]
      if anytrue([for a in flatten([s.Action]) : startswith(a, "dynamodb:")])
    ])
    error_message = "DynamoDB is granted on more than the quota table."
  }

  # The quota table: key pk (S), TTL on expires_at, on demand, the stack key.
  assert {
    condition     = aws_dynamodb_table.quota[0].hash_key == "pk" && aws_dynamodb_table.quota[0].range_key == null
    error_message = "The quota table's key must be pk alone."
  }
  assert {
    condition     = one(aws_dynamodb_table.quota[0].attribute).name == "pk" && one(aws_dynamodb_table.quota[0].attribute).type == "S"
    error_message = "pk must be a string attribute."
  }
  assert {
    condition     = one(aws_dynamodb_table.quota[0].ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.quota[0].ttl).enabled
    error_message = "TTL must be enabled on expires_at."
  }
  assert {
    condition     = aws_dynamodb_table.quota[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "The quota table must be on demand."
  }
  assert {
    condition     = one(aws_dynamodb_table.quota[0].server_side_encryption).enabled && one(aws_dynamodb_table.quota[0].server_side_encryption).kms_key_arn == aws_kms_key.scim.arn
    error_message = "The quota table must be encrypted with the stack key."
  }

  # Secret and logs under the stack key.
  assert {
    condition     = aws_secretsmanager_secret.token.kms_key_id == aws_kms_key.scim.arn
    error_message = "The token secret must be encrypted with the stack key."
  }
  assert {
    condition = alltrue([
      for g in [aws_cloudwatch_log_group.function, aws_cloudwatch_log_group.api_access, aws_cloudwatch_log_group.api_execution] :
      g.kms_key_id == aws_kms_key.scim.arn
    ])
    error_message = "Every log group must be encrypted with the stack key."
  }
  assert {
    condition     = aws_lambda_function.scim.kms_key_arn == aws_kms_key.scim.arn
    error_message = "The function's environment must be encrypted with the stack key."
  }

  # CloudWatch Logs may use the key for this stack's log groups only.
  assert {
    condition = one([
      for s in jsondecode(aws_kms_key.scim.policy).Statement : s.Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"]
      if s.Sid == "CloudWatchLogsEncryptsOwnLogGroups"
      ]) == [
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/connect-scim",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/connect-scim",
      "arn:aws:logs:us-east-1:123456789012:log-group:API-Gateway-Execution-Logs_a1b2c3d4e5/prod",
    ]
    error_message = "The key policy lets CloudWatch Logs use the key beyond this stack's log groups."
  }

  # The token is written through the write-only argument: nothing in the
  # plan, and so nothing in the state.
  assert {
    condition     = aws_secretsmanager_secret_version.token.secret_string == null && aws_secretsmanager_secret_version.token.secret_string_wo == null
    error_message = "The token's value appears in the plan."
  }
  assert {
    condition     = aws_secretsmanager_secret_version.token.secret_string_wo_version == 1
    error_message = "The token must be written once, as secret_string_wo_version 1."
  }

  # The function's settings.
  assert {
    condition     = aws_lambda_function.scim.reserved_concurrent_executions == 10
    error_message = "Reserved concurrency must default to 10."
  }
  assert {
    condition = {
      for k, v in aws_lambda_function.scim.environment[0].variables : k => v
      if contains(["QUOTA_TABLE", "CONNECT_QUOTA_SCOPE", "CONNECT_QUOTA_OVERRIDES", "CONNECT_RATE_LIMIT", "CONNECT_BURST", "RUST_LOG"], k)
      } == {
      QUOTA_TABLE             = "connect-scim-quota"
      CONNECT_QUOTA_SCOPE     = "operation"
      CONNECT_QUOTA_OVERRIDES = ""
      CONNECT_RATE_LIMIT      = "2"
      CONNECT_BURST           = "5"
      RUST_LOG                = "info"
    }
    error_message = "The quota and log settings do not reach the function's environment."
  }

  # Off by default: no allow-list, no WAF.
  assert {
    condition     = length(aws_api_gateway_rest_api_policy.allow_list) == 0 && length(aws_wafv2_web_acl.scim) == 0
    error_message = "The allow-list and WAF must be off by default."
  }
}

run "a_shared_quota_table_is_used_not_created" {
  command = plan

  variables {
    quota_table_name = "connect-quota-shared"
  }

  assert {
    condition     = length(aws_dynamodb_table.quota) == 0 && aws_lambda_function.scim.environment[0].variables.QUOTA_TABLE == "connect-quota-shared"
    error_message = "A shared table must be used, not created."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      flatten([s.Resource]) == ["arn:aws:dynamodb:us-east-1:123456789012:table/connect-quota-shared"]
      if anytrue([for a in flatten([s.Action]) : startswith(a, "dynamodb:")])
    ])
    error_message = "DynamoDB must be granted on the shared table."
  }
  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement :
      s.Condition.StringEquals["kms:EncryptionContext:aws:dynamodb:tableName"] if s.Sid == "QuotaTableKey"
    ]) == "connect-quota-shared"
    error_message = "The shared table's key must be usable for that table only."
  }
}

run "user_writes_can_be_unrestricted" {
  command = plan

  variables {
    restrict_to_managed_users = false
  }

  assert {
    condition = one([
      for s in jsondecode(aws_iam_role_policy.function.policy).Statement : !can(s.Condition) if s.Sid == "ConnectWriteAgents"
    ])
    error_message = "restrict_to_managed_users=false must drop the scim:managed condition."
  }
}

run "allow_list_and_waf" {
  command = plan

  variables {
    allowed_source_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
    enable_waf           = true
  }

  assert {
    condition = one([
      for s in jsondecode(aws_api_gateway_rest_api_policy.allow_list[0].policy).Statement : s.Condition.NotIpAddress["aws:SourceIp"]
      if s.Effect == "Deny"
    ]) == ["203.0.113.0/24", "198.51.100.7/32"]
    error_message = "The resource policy must deny every source outside the allow-list."
  }
  assert {
    condition     = toset([for r in aws_wafv2_web_acl.scim[0].rule : r.name]) == toset(["per-ip-rate", "known-bad-inputs", "bearer-token-required"])
    error_message = "The web ACL must hold the rate, known-bad-inputs and Bearer rules."
  }
  assert {
    condition     = length(aws_wafv2_web_acl_association.scim) == 1
    error_message = "The web ACL must be associated with the stage."
  }
}

run "rust_log_is_a_level_only" {
  command = plan

  variables {
    rust_log = "aws_smithy_runtime=trace"
  }

  expect_failures = [var.rust_log]
}

run "quota_scope_is_operation_or_account" {
  command = plan

  variables {
    connect_quota_scope = "region"
  }

  expect_failures = [var.connect_quota_scope]
}

run "quota_overrides_are_operation_rate_burst_pairs" {
  command = plan

  variables {
    connect_quota_overrides = "SearchUsers=5"
  }

  expect_failures = [var.connect_quota_overrides]
}

run "quota_overrides_accept_the_documented_form" {
  command = plan

  variables {
    connect_quota_overrides = "SearchUsers=5/8,CreateUser=0.5/1"
  }

  assert {
    condition     = aws_lambda_function.scim.environment[0].variables.CONNECT_QUOTA_OVERRIDES == "SearchUsers=5/8,CreateUser=0.5/1"
    error_message = "CONNECT_QUOTA_OVERRIDES must reach the function."
  }
}

# The operations dashboard: named after the prefix, its ten widgets (the
# cloudformation copy is compared with terraform/dashboard.json by
# scripts/dashboard-sync.py), placeholders filled, the quota line at 120/min.
run "dashboard" {
  command = plan

  assert {
    condition     = aws_cloudwatch_dashboard.ops.dashboard_name == "connect-scim"
    error_message = "The dashboard must be named after name_prefix."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.ops.dashboard_body).widgets) == 10
    error_message = "The dashboard must have its ten widgets (one text, nine graphs)."
  }
  assert {
    condition = [
      for w in jsondecode(aws_cloudwatch_dashboard.ops.dashboard_body).widgets : w.properties.title if w.type == "metric"
      ] == [
      "SCIM requests per operation",
      "Latency p50 and p99 per operation",
      "429 and 5xx answered to the IdP",
      "Connect throttles (ThrottlingException from Connect) per operation",
      "Limiter wait per operation (average and maximum)",
      "Connect quota use per Connect operation (calls / min) against the default quota",
      "Lambda concurrency, throttles and errors",
      "API Gateway 4XX and 5XX",
      "Drift report: drifted, unmanaged users, missing profiles",
    ]
    error_message = "The dashboard's graphs are not the documented ones (README, Operations)."
  }
  assert {
    condition = alltrue([
      for w in jsondecode(aws_cloudwatch_dashboard.ops.dashboard_body).widgets : w.properties.region == "us-east-1" if w.type == "metric"
    ])
    error_message = "Every graph must name the stack's region."
  }
  assert {
    condition     = !can(regex("[$][{]", aws_cloudwatch_dashboard.ops.dashboard_body))
    error_message = "A placeholder of dashboard.json is left unfilled."
  }
  assert {
    condition = strcontains(aws_cloudwatch_dashboard.ops.dashboard_body, "[\"AWS/Lambda\",\"Throttles\",\"FunctionName\",\"connect-scim\"") && strcontains(
    aws_cloudwatch_dashboard.ops.dashboard_body, "[\"AWS/ApiGateway\",\"5XXError\",\"ApiName\",\"connect-scim\",\"Stage\",\"prod\"")
    error_message = "The Lambda and API Gateway graphs must show this stack's function and stage."
  }
  assert {
    condition = one(flatten([
      for w in jsondecode(aws_cloudwatch_dashboard.ops.dashboard_body).widgets : [for a in try(w.properties.annotations.horizontal, []) : a.value]
    ])) == 120
    error_message = "The quota graph must carry the 120 calls/min default as its one horizontal annotation."
  }
}

# Connect throttles and 429s alarm on the function's EMF metrics, this
# function's aggregate (FunctionName), and every alarm notifies the topic.
run "alarms" {
  command = plan

  variables {
    alarm_topic_arn = "arn:aws:sns:us-east-1:123456789012:ops"
  }

  assert {
    condition = [
      for a in [aws_cloudwatch_metric_alarm.connect_throttled, aws_cloudwatch_metric_alarm.scim_429] :
      join(" ", [a.namespace, a.metric_name, jsonencode(a.dimensions), a.statistic, a.threshold])
      ] == [
      "ConnectScim ConnectThrottles {\"FunctionName\":\"connect-scim\"} Sum 10",
      "ConnectScim Answered429 {\"FunctionName\":\"connect-scim\"} Sum 0",
    ]
    error_message = "The Connect-throttle and 429 alarms must read ConnectThrottles and Answered429 of this function (FunctionName)."
  }
  assert {
    condition = alltrue([
      for a in [
        aws_cloudwatch_metric_alarm.function_errors, aws_cloudwatch_metric_alarm.function_throttles,
        aws_cloudwatch_metric_alarm.api_5xx, aws_cloudwatch_metric_alarm.connect_throttled,
        aws_cloudwatch_metric_alarm.scim_429,
      ] : a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]) && a.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"])
    ])
    error_message = "Every alarm must notify alarm_topic_arn on alarm and on OK."
  }
}

# The drift report is off by default: no rule, target, permission, alarm.
run "drift_is_off_by_default" {
  command = plan

  assert {
    condition = (length(aws_cloudwatch_event_rule.drift) + length(aws_cloudwatch_event_target.drift) + length(aws_lambda_permission.drift)
    + length(aws_lambda_function_event_invoke_config.drift) + length(aws_cloudwatch_metric_alarm.drifted_users)) == 0
    error_message = "Without drift_schedule there must be no drift rule, target, permission, invoke config or alarm."
  }
}

# With a schedule: the rule, its constant input to this function, an invoke
# permission for EventBridge on that rule only, no retries, the alarm.
run "drift_on_a_schedule" {
  command = plan

  variables {
    drift_schedule  = "rate(1 day)"
    alarm_topic_arn = "arn:aws:sns:us-east-1:123456789012:ops"
  }

  override_resource {
    target          = aws_cloudwatch_event_rule.drift
    override_during = plan
    values = {
      arn = "arn:aws:events:us-east-1:123456789012:rule/connect-scim-drift"
    }
  }

  assert {
    condition     = aws_cloudwatch_event_rule.drift[0].schedule_expression == "rate(1 day)" && aws_cloudwatch_event_rule.drift[0].name == "connect-scim-drift"
    error_message = "The drift rule must run on drift_schedule."
  }
  assert {
    condition     = aws_cloudwatch_event_target.drift[0].rule == "connect-scim-drift" && jsondecode(aws_cloudwatch_event_target.drift[0].input) == { connect_scim_action = "drift" }
    error_message = "The drift rule must send {\"connect_scim_action\": \"drift\"}."
  }
  assert {
    condition = (aws_lambda_permission.drift[0].principal == "events.amazonaws.com"
      && aws_lambda_permission.drift[0].function_name == "connect-scim"
    && aws_lambda_permission.drift[0].source_arn == "arn:aws:events:us-east-1:123456789012:rule/connect-scim-drift")
    error_message = "EventBridge may invoke the function for the drift rule only."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.drift[0].maximum_retry_attempts == 0
    error_message = "A failed drift run must not be retried (the next run reports afresh)."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.drifted_users[0].metric_name == "DriftedUsers"
      && jsonencode(aws_cloudwatch_metric_alarm.drifted_users[0].dimensions) == jsonencode({ FunctionName = "connect-scim", Report = "drift" })
      && aws_cloudwatch_metric_alarm.drifted_users[0].threshold == 0
    && aws_cloudwatch_metric_alarm.drifted_users[0].alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ops"]))
    error_message = "The drift alarm must watch DriftedUsers > 0 (Report=drift, this function) and notify the topic."
  }
}

run "drift_schedule_is_an_eventbridge_expression" {
  command = plan

  variables {
    drift_schedule = "daily"
  }

  expect_failures = [var.drift_schedule]
}
