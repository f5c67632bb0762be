# Run inside `odoo shell`: give the admin user an API key for Odoo's JSON-2
# API (/json/2/<model>/<method>) and write it to the file named by the
# environment variable PROACTIVE_API_KEY_FILE, readable by its owner only.
import os
import pathlib

key_path = pathlib.Path(os.environ["PROACTIVE_API_KEY_FILE"])
admin = env.ref("base.user_admin")
# No scope: JSON-2 accepts only keys valid for every RPC. No expiration date:
# the key lives as long as the demo database.
api_key = env["res.users.apikeys"].with_user(admin).sudo()._generate(
    None, "Demo mail feed (setup/feed_emails.sh)", None
)
key_path.parent.mkdir(parents=True, exist_ok=True)
key_fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(key_fd, "w") as key_file:
    key_file.write(api_key + "\n")
env.cr.commit()
