# What an operator needs to configure Okta or Entra ID.

output "scim_base_url" {
  description = "SCIM base URL for Okta (Base URL) and Entra ID (Tenant URL)."
  value       = "${aws_api_gateway_stage.scim.invoke_url}/scim/v2"
}

output "token_secret_arn" {
  description = "Secrets Manager secret holding the bearer token."
  value       = aws_secretsmanager_secret.token.arn
}

output "read_token_command" {
  description = "Prints the current bearer token."
  value       = "aws secretsmanager get-secret-value --region ${local.region} --secret-id ${aws_secretsmanager_secret.token.arn} --query SecretString --output text"
}

output "function_name" {
  description = "The Lambda function (for logs and cold-start after a token rotation)."
  value       = aws_lambda_function.scim.function_name
}
