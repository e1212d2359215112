using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CommissioningActors.Protocol.Matter.Certificates;

/// <summary>A Product Attestation Authority we trust, and whether it is only a development/test authority.</summary>
public sealed record TrustedPaa(X509Certificate2 Certificate, bool IsDevelopment, string Source);

/// <summary>
/// The PAAs device attestation chains must end at: connectedhomeip's development/test PAAs (shipped inside this
/// assembly; devices chaining to them pass with a warning) and, optionally, a folder of production PAAs
/// (*.der or *.pem, e.g. exported from the DCL). Files that are not self-signed CA certificates are skipped and
/// reported in <see cref="LoadProblems"/>, never silently.
/// </summary>
public sealed class PaaTrustStore : IDisposable
{
    private const int MaxCertificateFileBytes = 16 * 1024;
    private const string DevelopmentResourcePrefix = "DevelopmentPaa/";

    private readonly List<TrustedPaa> _roots = [];
    private readonly List<string> _problems = [];

    private PaaTrustStore()
    {
    }

    public IReadOnlyList<TrustedPaa> Roots => _roots;
    public IReadOnlyList<string> LoadProblems => _problems;

    /// <summary>The shipped development PAAs, plus every PAA in <paramref name="productionFolder"/> if given.</summary>
    public static PaaTrustStore Load(string? productionFolder = null, bool includeDevelopment = true)
    {
        var store = new PaaTrustStore();
        if (includeDevelopment)
        {
            store.AddDevelopmentRoots();
        }

        if (productionFolder is not null)
        {
            store.AddFolder(productionFolder);
        }

        return store;
    }

    /// <summary>A store of exactly the given roots (tests, or a caller with its own source).</summary>
    public static PaaTrustStore FromCertificates(IEnumerable<byte[]> ders, bool isDevelopment)
    {
        var store = new PaaTrustStore();
        var index = 0;
        foreach (var der in ders)
        {
            store.TryAdd(der, isDevelopment, $"certificate #{index++}");
        }

        return store;
    }

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Certificate.Dispose();
        }
    }

    private void AddDevelopmentRoots()
    {
        var assembly = typeof(PaaTrustStore).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(DevelopmentResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            TryAdd(buffer.ToArray(), isDevelopment: true, name);
        }
    }

    private void AddFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            _problems.Add("the production PAA folder does not exist");
            return;
        }

        foreach (var path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is not (".der" or ".pem" or ".crt"))
            {
                continue;
            }

            var source = Path.GetFileName(path);
            if (new FileInfo(path).Length > MaxCertificateFileBytes)
            {
                _problems.Add($"{source}: larger than {MaxCertificateFileBytes} bytes, skipped");
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            var der = extension == ".der" ? bytes : FromPem(System.Text.Encoding.ASCII.GetString(bytes));
            if (der is null)
            {
                _problems.Add($"{source}: no PEM certificate in it, skipped");
                continue;
            }

            TryAdd(der, isDevelopment: false, source);
        }
    }

    private void TryAdd(byte[] der, bool isDevelopment, string source)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            _problems.Add($"{source}: not an X.509 certificate, skipped");
            return;
        }

        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true } || certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) is false)
        {
            certificate.Dispose();
            _problems.Add($"{source}: not a self-signed CA certificate, skipped");
            return;
        }

        _roots.Add(new TrustedPaa(certificate, isDevelopment, source));
    }

    private static byte[]? FromPem(string text)
    {
        try
        {
            var fields = PemEncoding.Find(text);
            return text[fields.Label].SequenceEqual("CERTIFICATE") ? Convert.FromBase64String(text[fields.Base64Data]) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
