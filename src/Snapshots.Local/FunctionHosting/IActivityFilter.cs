namespace Snapshots.Local.FunctionHosting;

/// <summary>
/// Runs before every activity the local runtime executes, like a Functions worker middleware. Tests register one to
/// make a chosen activity fail or wait at a chosen point; the deployed app has no such hook.
/// </summary>
public interface IActivityFilter
{
    Task BeforeAsync(string activity, object? input, CancellationToken cancellationToken);
}
