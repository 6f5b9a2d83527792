using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Projects;

namespace Snapshots.Tests.Support;

/// <summary>
/// Every entity of a project by its modelled properties, one line per entity, sorted: two projects that hold the same
/// data compare equal, and a difference shows as the lines that differ. Extra fields are left out: they are what
/// each source layout calls its own (see the README's Konfuzio mapping).
/// </summary>
public static class ProjectContent
{
    /// <param name="documents">Which documents (with their annotation sets and annotations) to take; all by default.</param>
    public static async Task<List<string>> ReadAsync(IServiceProvider services, string projectId, Func<Document, bool>? documents = null)
    {
        var store = services.GetRequiredService<ProjectStore>();
        var lines = new List<string>();
        void Add(string kind, object value) => lines.Add(kind + " " + JsonSerializer.Serialize(value));

        await foreach (var c in store.ListAsync<Category>(projectId, default))
        {
            Add("category", new { c.Id, c.Name });
        }

        await foreach (var l in store.ListAsync<Label>(projectId, default))
        {
            Add("label", new { l.Id, l.Name, l.Description, l.DataType, l.Threshold });
        }

        await foreach (var s in store.ListAsync<LabelSet>(projectId, default))
        {
            Add("labelSet", new { s.Id, s.Name, s.IsDefault, s.HasMultipleSections, Labels = s.LabelIds.Order(), Categories = s.CategoryIds.Order() });
        }

        await foreach (var a in store.ListAsync<AiModel>(projectId, default))
        {
            Add("ai", new { a.Name, a.Type, a.TrainingStatus, a.Active, Files = a.Files.Select(f => new { f.Name, f.Bytes }) });
        }

        await foreach (var d in store.ListAsync<Document>(projectId, default))
        {
            if (documents is not null && !documents(d))
            {
                continue;
            }

            Add("document", new
            {
                d.Id, d.Name, d.DatasetStatus, d.CategoryId, d.NumberOfPages, Pages = d.Pages?.GetRawText(), d.AnnotationSetCount, d.AnnotationCount,
                Files = d.Files.Select(f => new { f.Name, f.Bytes }).OrderBy(f => f.Name, StringComparer.Ordinal),
            });
            await foreach (var s in store.ListDocumentItemsAsync<AnnotationSet>(projectId, d.Id, default))
            {
                Add("annotationSet", new { s.DocumentId, s.Id, s.LabelSetId });
            }

            await foreach (var a in store.ListDocumentItemsAsync<Annotation>(projectId, d.Id, default))
            {
                Add("annotation", new
                {
                    a.DocumentId, a.Id, a.LabelId, a.AnnotationSetId, a.LabelSetId, a.OffsetString, a.StartOffset, a.EndOffset,
                    Spans = a.Bboxes?.GetRawText(), a.IsCorrect, a.Revised, a.Confidence,
                });
            }
        }

        return [.. lines.Order(StringComparer.Ordinal)];
    }
}
