"""Software power channels: what a chip or CPU reports about itself, read on the same schedule as a
power analyzer. They are auxiliary by default (recorded and plotted, never summed into wall power)
and need no resource. Each says plainly that it is unavailable when its library, tool or
permission is missing.

- ``nvml``: NVIDIA GPU board power and energy (:mod:`.nvml`)
- ``rapl``: Intel RAPL package energy from the kernel's powercap files (:mod:`.rapl`)
- ``furiosa-smi``: FuriosaAI RNGD / Warboy power from the ``furiosa-smi`` tool (:mod:`.furiosa`)
- ``rbln-smi``: Rebellions ATOM / REBEL power from ``rbln-smi`` / ``rbln-stat`` (:mod:`.rebellions`)
- ``deepx-status``: DEEPX DX-M1 temperature, voltage and clock from DX-RT, no power (:mod:`.deepx`)
"""
