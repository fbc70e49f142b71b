import ArgumentParser

/// `hailong`: the HaiLong service and its administration commands (docs/CONTRACT.md).

struct Hailong: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hailong",
        abstract: "HaiLong — đo lường sự hài lòng của người dân · citizen satisfaction at one-stop counters.",
        subcommands: [
            Serve.self, Migrate.self, AgencyCommand.self, CounterCommand.self, OfficerCommand.self, KioskCommand.self,
            TokenCommand.self, Aggregate.self, ImportCommand.self, SurveyCommand.self, Publish.self,
            MethodologyCommand.self, Review.self, UserCommand.self, Purge.self, Erase.self, RotateDataKey.self,
            ViolationCommand.self, InspectionCommand.self, BlockCommand.self, ReportCommand.self,
        ])
}
