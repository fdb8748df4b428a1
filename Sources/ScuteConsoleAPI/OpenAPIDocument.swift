/// The console API's OpenAPI document: the bytes of `openapi.json`, the file the generator read.
package enum OpenAPIDocument {
    /// The document as served at /api/v1/openapi.json.
    package static var bytes: [UInt8] { PackageResources.openapi_json }
}
