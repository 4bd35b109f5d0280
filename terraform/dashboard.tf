# The operations dashboard. Its body is dashboard.json, written with
# ${Region}, ${FunctionName}, ${ApiName} and ${StageName} placeholders, which
# both templatefile() here and Fn::Sub in cloudformation/connect-scim.yaml
# fill: CloudFormation cannot read a file, so the template carries a copy, and
# scripts/deploy-checks.sh fails when the two bodies differ.
#
# The SCIM and quota graphs read the function's Embedded Metric Format lines
# (namespace ConnectScim, dimensions Operation, ConnectOperation, Report):
# those dimensions name no stack, so every connect-scim function of the
# account and region adds to them. The Lambda and API Gateway graphs are this
# stack's.

resource "aws_cloudwatch_dashboard" "ops" {
  dashboard_name = var.name_prefix
  # Decoded and encoded again: the body is checked as JSON at plan, and sent
  # compact.
  dashboard_body = jsonencode(jsondecode(templatefile("${path.module}/dashboard.json", {
    Region       = local.region
    FunctionName = aws_lambda_function.scim.function_name
    ApiName      = aws_api_gateway_rest_api.scim.name
    StageName    = aws_api_gateway_stage.scim.stage_name
  })))
}
