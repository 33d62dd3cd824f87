@_exported import SwitchboardConfig
