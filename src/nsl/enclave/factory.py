"""Choose and build the enclave provider from settings (and refuse software in production)."""

from __future__ import annotations

from nsl.core.clock import Clock
from nsl.core.enclave import Enclave
from nsl.core.errors import SettingsError
from nsl.core.ports import Database
from nsl.core.settings import Settings


def build_enclave(settings: Settings, database: Database, clock: Clock) -> Enclave:
    provider = settings.enclave.provider
    if provider == "software":
        if settings.env == "production" and not settings.enclave.allow_software:
            raise SettingsError(
                "refusing the software enclave in production: configure "
                "NSL_ENCLAVE__PROVIDER=pkcs11, or accept software keys explicitly with "
                "NSL_ENCLAVE__ALLOW_SOFTWARE=true",
                code="settings.software_enclave_refused",
            )
        from nsl.enclave.software import SoftwareEnclave

        return SoftwareEnclave(settings, database, clock)
    from nsl.enclave.pkcs11 import Pkcs11Enclave

    return Pkcs11Enclave(settings, database, clock)
