# Inputs of the connect-scim deployment. Each application setting maps to
# one environment variable of the function (see docs/deploy.md).

variable "connect_instance_id" {
  description = "Amazon Connect instance id (the UUID at the end of the instance ARN). Becomes CONNECT_INSTANCE_ID."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.connect_instance_id))
    error_message = "connect_instance_id must be the instance UUID, not its ARN or alias."
  }
}

variable "lambda_zip_path" {
  description = "Path of the zip built by scripts/build-lambda.sh (relative to this directory or absolute)."
  type        = string
  default     = "../target/lambda/connect-scim/bootstrap.zip"
}

variable "name_prefix" {
  description = "Name of the function, API, secret, log groups and alarms."
  type        = string
  default     = "connect-scim"
}

variable "stage_name" {
  description = "API Gateway stage; the SCIM base URL is https://ID.execute-api.REGION.amazonaws.com/STAGE/scim/v2."
  type        = string
  default     = "prod"
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of the function. Every instance draws Connect calls from the shared quota buckets in the DynamoDB table, so more instances wait for Connect instead of multiplying it; 10 lets an IdP's parallel requests queue there rather than be rejected by Lambda."
  type        = number
  default     = 10

  validation {
    condition     = var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be at least 1 (0 would disable the function)."
  }
}

variable "connect_quota_scope" {
  description = "One quota bucket per Connect operation (operation: AWS's API reference defines the limits per API) or one for all Connect calls (account). Becomes CONNECT_QUOTA_SCOPE."
  type        = string
  default     = "operation"

  validation {
    condition     = contains(["operation", "account"], var.connect_quota_scope)
    error_message = "connect_quota_scope must be operation or account."
  }
}

variable "connect_rate_limit" {
  description = "Connect calls per second per bucket (Connect's default quota is 2). Becomes CONNECT_RATE_LIMIT."
  type        = number
  default     = 2

  validation {
    condition     = var.connect_rate_limit > 0
    error_message = "connect_rate_limit must be above 0."
  }
}

variable "connect_burst" {
  description = "Connect calls a bucket allows at once (Connect's default burst is 5). Becomes CONNECT_BURST."
  type        = number
  default     = 5

  validation {
    condition     = var.connect_burst >= 1 && floor(var.connect_burst) == var.connect_burst
    error_message = "connect_burst must be a whole number, at least 1."
  }
}

variable "connect_quota_overrides" {
  description = "Per-operation rate/burst where the account's quota differs, e.g. \"SearchUsers=5/8,CreateUser=4/6\"; empty for none. Becomes CONNECT_QUOTA_OVERRIDES."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z]+=[0-9]+(\\.[0-9]+)?/[0-9]+(,[A-Za-z]+=[0-9]+(\\.[0-9]+)?/[0-9]+)*)?$", var.connect_quota_overrides))
    error_message = "connect_quota_overrides must be empty or Operation=rate/burst pairs separated by commas, e.g. SearchUsers=5/8,CreateUser=4/6."
  }
}

variable "quota_table_name" {
  description = "An existing DynamoDB table (same account and region) holding the quota buckets, shared by several stacks so that they share one Connect budget as Connect does; empty creates one for this stack. Becomes QUOTA_TABLE."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9_.-]{3,255})?$", var.quota_table_name))
    error_message = "quota_table_name must be empty or a DynamoDB table name (3-255 of letters, digits, _ . -)."
  }
}

variable "default_security_profiles" {
  description = "Comma-separated security profiles for a user whose IdP sends none. Becomes DEFAULT_SECURITY_PROFILES."
  type        = string
  default     = "Agent"
}

variable "default_routing_profile" {
  description = "Routing profile for a user whose IdP sends none. Becomes DEFAULT_ROUTING_PROFILE."
  type        = string
  default     = "Basic Routing Profile"
}

variable "disabled_security_profile_name" {
  description = "The no-permission security profile that deactivated users hold. Created here; becomes DISABLED_SECURITY_PROFILE."
  type        = string
  default     = "SCIM-Disabled"
}

variable "deactivation" {
  description = "What active=false does: disable (swap to the no-permission profile, reversible) or delete (DeleteUser). Becomes DEACTIVATION."
  type        = string
  default     = "disable"

  validation {
    condition     = contains(["disable", "delete"], var.deactivation)
    error_message = "deactivation must be disable or delete."
  }
}

variable "request_deadline_ms" {
  description = "Work on a request stops after this many milliseconds (API Gateway gives up at 29 s). Becomes REQUEST_DEADLINE_MS."
  type        = number
  default     = 25000
}

variable "rust_log" {
  description = "Log level of the function: error, warn, info or debug. Becomes RUST_LOG."
  type        = string
  default     = "info"

  # A level only: a filter string could turn on the AWS SDK's or hyper's
  # debug output, which logs request and response details.
  validation {
    condition     = contains(["error", "warn", "info", "debug"], var.rust_log)
    error_message = "rust_log must be error, warn, info or debug."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's and the API's log groups, in days."
  type        = number
  default     = 90
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady request rate (requests per second) before API Gateway answers 429."
  type        = number
  default     = 10
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst before API Gateway answers 429."
  type        = number
  default     = 20
}

variable "enable_xray" {
  description = "Trace requests with AWS X-Ray in API Gateway and Lambda."
  type        = bool
  default     = true
}

variable "manage_api_gateway_account" {
  description = "Set this region's API Gateway account CloudWatch role (needed once per account and region for stage logging). Turn off if another stack already manages it."
  type        = bool
  default     = true
}

variable "alarm_topic_arn" {
  description = "SNS topic that alarms notify; empty for none."
  type        = string
  default     = ""
}

variable "drift_schedule" {
  description = "EventBridge schedule of the drift report, e.g. \"rate(1 day)\" or \"cron(0 6 * * ? *)\"; empty for none. The function runs it with {\"connect_scim_action\": \"drift\"}, and an alarm watches DriftedUsers."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\([^()]+\\))?$", var.drift_schedule))
    error_message = "drift_schedule must be empty, rate(N minutes|hours|days) or cron(...), e.g. rate(1 day)."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted token secret can still be restored (0 deletes at once)."
  type        = number
  default     = 7
}

variable "restrict_to_managed_users" {
  description = "Condition the function's user writes and deletes on the user's scim:managed=true tag, so it can never change or delete an agent SCIM did not provision. Turn off to let group pushes and ADOPT_EXISTING_USERS change users created outside SCIM."
  type        = bool
  default     = true
}

variable "allowed_source_cidrs" {
  description = "Source IP ranges (CIDR) allowed to call the API, as an API Gateway resource policy; empty allows any source (the bearer token still applies)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_source_cidrs : can(cidrhost(c, 0))])
    error_message = "allowed_source_cidrs must hold CIDR ranges such as 203.0.113.0/24."
  }
}

variable "enable_waf" {
  description = "Attach an AWS WAF web ACL to the stage: a per-IP rate limit, AWS's known-bad-inputs rules, and a block of requests without a Bearer Authorization header."
  type        = bool
  default     = false
}

variable "waf_rate_limit" {
  description = "With enable_waf: requests one source IP may send in any 5 minutes before WAF blocks it."
  type        = number
  default     = 3000

  validation {
    condition     = var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be between 10 and 2,000,000,000 (AWS WAF's limits)."
  }
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default = {
    Application = "connect-scim"
  }
}
