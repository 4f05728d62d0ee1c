"""`hiplevel pair`: give a sensor its key over the USB cable and keep the key in this computer's
store, so BLE sessions from this computer authenticate (docs/security.md). Also `--list` and
`--forget`."""

from __future__ import annotations

import argparse
import asyncio

from hiplevel.cli.common import EXIT_NO_DEVICE, EXIT_OK, EXIT_USAGE, CliError


def pair(args: argparse.Namespace) -> int:
    from hiplevel.cli.store_access import open_store
    from hiplevel.errors import DeviceNotFoundError, LinkError
    from hiplevel.store.device_keys import forget_device_key, paired_sensors, save_device_key

    if args.list:
        with open_store(args.data_dir, url=args.store) as store:
            sensors = paired_sensors(store)
            folder = store.describe()
        if not sensors:
            print(f"no sensor is paired with the store {folder}")
            return EXIT_OK
        print(f"{'sensor':<16} {'key id':<10} paired")
        for s in sensors:
            print(f"{s.device_id:<16} {s.key_id:<10} {s.paired_at}")
        return EXIT_OK
    if not args.port:
        raise CliError("which sensor? connect it by USB and give --port (e.g. /dev/ttyUSB0, or 'auto')", EXIT_USAGE)
    try:
        device_id, key = asyncio.run(_over_usb(args.port, forget=args.forget))
    except DeviceNotFoundError as exc:
        raise CliError(f"{exc}: is the sensor plugged in by USB?", EXIT_NO_DEVICE) from exc
    except LinkError as exc:
        raise CliError(f"could not pair over {args.port}: {exc}", EXIT_NO_DEVICE) from exc
    with open_store(args.data_dir, url=args.store) as store:
        if key is None:
            forget_device_key(store, device_id)
            print(f"sensor {device_id}: key erased on the sensor and in the store {store.describe()}; "
                  "it accepts no BLE connection until it is paired again.")
            return EXIT_OK
        entry = save_device_key(store, device_id, key)
        print(f"paired sensor {device_id} (key id {entry.key_id}); its key is kept in the store {store.describe()}.")
    print("Unplug it and connect over BLE as usual (`hiplevel info`, `record`, `live`).")
    return EXIT_OK


async def _over_usb(port: str, forget: bool) -> tuple[str, bytes | None]:
    from hiplevel.link.auth import device_id_of, provision, unprovision
    from hiplevel.link.serial_link import SerialLink

    link = await SerialLink.open(None if port == "auto" else port)
    try:
        if forget:
            device_id = await device_id_of(link.request)
            await unprovision(link.request)
            return device_id, None
        paired = await provision(link.request)
        return paired.device_id, paired.key
    finally:
        await link.close()
