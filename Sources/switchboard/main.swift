import SwitchboardCLI

// The shipped `switchboard`: the whole CLI with every connector module this target depends on.
// `BuiltInModules` is generated at build time (Plugins/ModuleRegistry) from those dependencies.
await Switchboard.main(modules: BuiltInModules.all)
