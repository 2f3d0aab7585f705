import pytest

from .fake_gateway import FakeGateway

ESMS_SECRET = "esms-callback-secret"
ZALO_SECRET = "oa-secret-key"


@pytest.fixture
def gateway():
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture
def providers(settings, gateway):
    """eSMS and Zalo ZNS configured against the fake gateway; e-mail through Django's mail."""
    settings.CUAKHAU_NOTIFY = {
        **settings.CUAKHAU_NOTIFY,
        "adapters": {
            "zns": {
                "class": "cuakhau.notify.adapters.ZaloZNS",
                "name": "zalo",
                "url": gateway.url + "zns",
                "access_token": "zalo-token",
                "app_id": "4321",
                "oa_secret_key": ZALO_SECRET,
                "templates": {"truck_called_forward": {"vi": "301234", "en": "301235"}},
                "timeout": 2,
            },
            "sms": {
                "class": "cuakhau.notify.adapters.ESMSBrandname",
                "name": "esms",
                "url": gateway.url + "esms",
                "api_key": "k",
                "secret_key": "s",
                "brandname": "CUAKHAU",
                "callback_url": "https://cuakhau.example/api/v1/notify/delivery/esms?key=x",
                "callback_secret": ESMS_SECRET,
                "timeout": 2,
            },
            "email": {"class": "cuakhau.notify.adapters.EmailAdapter", "name": "email"},
        },
    }
    return gateway
