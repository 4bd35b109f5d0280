# Optional AWS WAF web ACL on the stage (enable_waf): a per-IP rate limit,
# AWS's known-bad-inputs rule group, and a block of every request whose
# Authorization header does not start with "Bearer " (case-insensitive), so
# that scans never reach the function. A blocked request gets API Gateway's
# 403 (a SCIM error through the WAF_FILTERED response).

resource "aws_wafv2_web_acl" "scim" {
  count       = var.enable_waf ? 1 : 0
  name        = var.name_prefix
  description = "connect-scim: per-IP rate limit, known bad inputs, Bearer token required"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "per-ip-rate"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.waf_rate_limit
        aggregate_key_type    = "IP"
        evaluation_window_sec = 300
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name_prefix}-per-ip-rate"
      sampled_requests_enabled   = false
    }
  }

  rule {
    name     = "known-bad-inputs"
    priority = 2

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name_prefix}-known-bad-inputs"
      sampled_requests_enabled   = false
    }
  }

  rule {
    name     = "bearer-token-required"
    priority = 3

    action {
      block {}
    }

    statement {
      not_statement {
        statement {
          byte_match_statement {
            search_string         = "bearer "
            positional_constraint = "STARTS_WITH"

            field_to_match {
              single_header {
                name = "authorization"
              }
            }

            text_transformation {
              priority = 0
              type     = "LOWERCASE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name_prefix}-bearer-token-required"
      sampled_requests_enabled   = false
    }
  }

  # Sampled requests stay off: they would show request headers, the bearer
  # token among them, in the WAF console.
  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name_prefix
    sampled_requests_enabled   = false
  }
}

resource "aws_wafv2_web_acl_association" "scim" {
  count        = var.enable_waf ? 1 : 0
  resource_arn = aws_api_gateway_stage.scim.arn
  web_acl_arn  = aws_wafv2_web_acl.scim[0].arn
}
