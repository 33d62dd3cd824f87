import LiveAssistConnector
import PayrollConnector
import SalesforceConnector
import SwitchboardCLI

// `acme-switchboard run`, `validate`, `modules`, `sync`, `jwt`… — the whole CLI, with these modules.
await Switchboard.main(modules: [SalesforceModule(), LiveAssistModule(), PayrollModule()])
