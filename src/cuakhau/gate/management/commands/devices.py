"""Register, list and revoke the gate's devices (plate cameras, weighbridges, tablets)."""

from django.core.management.base import BaseCommand, CommandError

from cuakhau.core.errors import FieldErrors
from cuakhau.gate import services
from cuakhau.gate.models import Device, DeviceKind
from cuakhau.reference.models import Gate


class Command(BaseCommand):
    help = (
        "Gate device credentials: `devices register GATE KIND NAME [--lane L]` prints the "
        "device's key once; `devices list [GATE]`; `devices rotate GATE NAME` prints a new key "
        "once and turns the old one away; `devices revoke GATE NAME`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register", help="register a device and print its key once")
        register.add_argument("gate")
        register.add_argument("kind", choices=DeviceKind.values)
        register.add_argument("name")
        register.add_argument("--lane", default=None)
        listing = sub.add_parser("list", help="the devices and their state")
        listing.add_argument("gate", nargs="?")
        rotate = sub.add_parser("rotate", help="give a device a new key, printed once")
        rotate.add_argument("gate")
        rotate.add_argument("name")
        revoke = sub.add_parser("revoke", help="turn a device's key away from now on")
        revoke.add_argument("gate")
        revoke.add_argument("name")

    def handle(self, *args, action, **options):
        if action == "list":
            devices = Device.objects.select_related("gate", "lane")
            if options.get("gate"):
                devices = devices.filter(gate=self._gate(options["gate"]))
            for device in devices:
                state = "revoked" if device.revoked_at else "active"
                lane = device.lane.code if device.lane else "-"
                seen = device.last_seen_at.isoformat() if device.last_seen_at else "never"
                self.stdout.write(
                    f"{device.gate.code}\t{device.kind}\t{device.name}\tlane {lane}\t"
                    f"{device.hint}…\t{state}\tlast seen {seen}"
                )
            return
        gate = self._gate(options["gate"])
        if action == "register":
            try:
                device, raw = services.register_device(
                    None, gate, options["kind"], options["name"], lane=options["lane"]
                )
            except FieldErrors as exc:
                raise CommandError(str(exc)) from None
            self.stderr.write(f"Registered {device}. Its key (shown only now):")
            self.stdout.write(raw)
            return
        device = services.device_named(gate, options["name"])
        if device is None:
            raise CommandError(f"No device {options['name']!r} in service at {gate.code}.")
        if action == "rotate":
            device, raw = services.give_device_new_key(None, device)
            self.stderr.write(
                f"New key for {device}; its old key no longer works (shown only now):"
            )
            self.stdout.write(raw)
            return
        services.revoke_device(device)
        self.stdout.write(f"Revoked {device}.")

    def _gate(self, code):
        gate = Gate.objects.filter(code=code.lower()).first()
        if gate is None:
            raise CommandError(f"No gate {code!r}.")
        return gate
