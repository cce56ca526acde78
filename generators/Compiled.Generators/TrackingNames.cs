namespace Compiled.Generators
{
    /// <summary>Names of the incremental steps, so tests can prove which ones re-ran.</summary>
    internal static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Model = nameof(Model);
        public const string Plan = nameof(Plan);
        public const string OwnSourceConnectors = nameof(OwnSourceConnectors);
        public const string OwnSinkConnectors = nameof(OwnSinkConnectors);
        public const string ReferencedConnectors = nameof(ReferencedConnectors);
        public const string Connectors = nameof(Connectors);
        public const string ConnectorDeclarations = nameof(ConnectorDeclarations);
        public const string SchemeChecks = nameof(SchemeChecks);
        public const string ParquetSink = nameof(ParquetSink);
    }
}
