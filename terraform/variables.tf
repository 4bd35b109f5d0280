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
  description = "Reserved concurrency of the function. 1 keeps the in-process limiter the only caller of Connect (2 rps, burst 5 per account); more instances multiply the limiter and make Connect throttle."
  type        = number
  default     = 1

  validation {
    condition     = var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be at least 1 (0 would disable the function)."
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
  description = "Log filter of the function. Becomes RUST_LOG."
  type        = string
  default     = "info"
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

variable "secret_recovery_window_days" {
  description = "Days a deleted token secret can still be restored (0 deletes at once)."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default = {
    Application = "connect-scim"
  }
}
