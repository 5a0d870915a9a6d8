"""python manage.py create_editor USERNAME — an account that can curate, nothing more."""

import getpass
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or promote) a staff account in the Editors group."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="Set this password (default: ask, or generate one when not interactive).",
        )

    def handle(self, *args, username, email, password, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if password is None and created:
            if options.get("interactive", True) and self.stdin_is_tty():
                password = getpass.getpass("Password: ")
            else:
                password = secrets.token_urlsafe(16)
                self.stdout.write(f"generated password: {password}")
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                if created:
                    user.delete()
                raise CommandError("; ".join(exc.messages)) from None
            user.set_password(password)
        user.is_staff = True
        user.save()
        try:
            user.groups.add(Group.objects.get(name="Editors"))
        except Group.DoesNotExist:
            raise CommandError("The Editors group is missing: run manage.py migrate") from None
        self.stdout.write(f"{'created' if created else 'updated'} editor {username}")

    def stdin_is_tty(self) -> bool:
        import sys

        return sys.stdin is not None and sys.stdin.isatty()
