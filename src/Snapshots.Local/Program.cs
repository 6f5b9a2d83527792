using Snapshots.Local;
using Snapshots.Local.Emulators;

try
{
    await LocalRuntimeCommand.RunAsync(args);
    return 0;
}
catch (LocalRuntimeStartException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
