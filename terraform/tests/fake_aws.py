"""A loopback stand-in for the one AWS call `terraform plan` of this stack
makes: Secrets Manager GetRandomPassword, which the ephemeral token resource
opens at every plan (Terraform 1.11's mock providers cannot mock ephemeral
resources, so the tests run the real AWS provider against this).

Every other request is answered 400, so a plan that starts calling AWS fails
loudly instead of reaching out. Prints the port it listens on, then serves
until killed. Standard library only.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAws(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        if target == "secretsmanager.GetRandomPassword":
            length = int(request.get("PasswordLength", 32))
            self.answer(200, {"RandomPassword": "T" * length})
        else:
            sys.stderr.write(f"fake_aws: unexpected call {target or self.path}\n")
            self.answer(400, {"__type": "UnrecognizedClientException", "message": f"fake_aws does not serve {target}"})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAws)
    print(server.server_address[1], flush=True)
    server.serve_forever()
