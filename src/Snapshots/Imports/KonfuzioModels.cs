using System.Security.Cryptography;
using System.Text;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// AIs exported with <c>konfuzio_sdk export_project --include_ai</c>: one file per AI in
/// <c>models/{extraction|filesplitting|categorization}_ais/</c>. The SDK exports only AIs that finished training and are
/// active, and the file is all there is: the type comes from the folder, the name from the file, the version is unknown.
/// </summary>
internal static class KonfuzioModels
{
    private static readonly Dictionary<string, AiType> Folders = new(StringComparer.Ordinal)
    {
        ["extraction_ais"] = AiType.Extraction,
        ["filesplitting_ais"] = AiType.Splitting,
        ["categorization_ais"] = AiType.Categorization,
    };

    /// <summary>The folder an AI of this type is exported to (and read from).</summary>
    public static string FolderOf(AiType type) => Folders.First(f => f.Value == type).Key;

    public static ModelFile Describe(string path)
    {
        var parts = path.Split('/');
        if (parts.Length != 3 || !Folders.TryGetValue(parts[1], out var type))
        {
            return new ModelFile(path, null, $"{path}: not in an AI folder of models/ ({string.Join(", ", Folders.Keys)}); kept as a project file.");
        }

        var ai = new AiModel
        {
            // Deterministic, so a retried import step writes the same AI again.
            Id = "ai-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..16],
            Name = Path.GetFileNameWithoutExtension(parts[2]),
            Type = type,
            CategorizationKind = type == AiType.Categorization ? CategorizationKind.Model : null,
            TrainingStatus = AiTrainingStatus.Done,
            Active = true,
        };
        return new ModelFile(path, ai, $"{path}: imported as {type.ToString().ToLowerInvariant()} AI '{ai.Name}'; the export does not tell its model version.");
    }
}

/// <summary>A file under <c>models/</c>: the AI it becomes (none if it is not in an AI folder) and what the import says about it.</summary>
internal sealed record ModelFile(string Path, AiModel? Ai, string Warning);
