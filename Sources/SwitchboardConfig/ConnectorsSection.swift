import ConnectorKit
import Foundation
import Yams

/// Validates the `connectors:` section of a configuration: every connector's name, module, features
/// and settings against its module's schema. The host's loader and the conformance kit's harness
/// both read connectors through it, so a snippet the harness accepts is one `validate` accepts.
package struct ConnectorsSection: Sendable {
    /// The modules connectors may name.
    package var registry: ModuleRegistry

    /// Creates the section reader.
    package init(registry: ModuleRegistry) { self.registry = registry }

    /// Validates the `connectors:` mapping: each connector's module, features and settings.
    package func connectors(_ node: Node, validator: inout SchemaValidator) -> [ConnectorConfiguration] {
        if SchemaValidator.isNull(node) { return [] }
        guard case .mapping = node else {
            validator.report("connectors", at: node, "expected a mapping of connector names to their settings, found \(SchemaValidator.kind(of: node))")
            return []
        }
        var result: [ConnectorConfiguration] = []
        for (name, keyNode, body) in validator.pairs(of: node, path: "connectors", duplicateNoun: "connector name") {
            let path = "connectors.\(name)"
            guard name.range(of: "^[a-z0-9][a-z0-9_-]{0,62}$", options: .regularExpression) != nil else {
                validator.report(path, at: keyNode, "connector names use lowercase letters, digits, '-' and '_' (at most 63), starting with a letter or digit")
                continue
            }
            if let configuration = connector(name: name, keyNode: keyNode, body: body, path: path, validator: &validator) {
                result.append(configuration)
            }
        }
        return result
    }

    private func connector(name: String, keyNode: Node, body: Node, path: String, validator: inout SchemaValidator) -> ConnectorConfiguration? {
        guard case .mapping(let mapping) = body else {
            validator.report(path, at: body, "expected the connector's settings (module, features, …), found \(SchemaValidator.kind(of: body))")
            return nil
        }
        var module: (any ConnectorModule)?
        if let moduleNode = mapping["module"] {
            if let moduleName = validator.text(moduleNode, path: "\(path).module", expected: .string) {
                module = registry.module(named: moduleName)
                if module == nil {
                    validator.report("\(path).module", at: moduleNode, "unknown module \(SchemaValidator.show(moduleName)); available: "
                        + (registry.names.isEmpty ? "none are registered in this build" : registry.names.joined(separator: ", ")))
                }
            }
        } else {
            validator.report("\(path).module", at: body, "missing required key 'module': which module runs this connector (\(registry.names.joined(separator: ", ")))")
        }

        var features: [Feature] = []
        if let featuresNode = mapping["features"] {
            features = self.features(featuresNode, module: module, path: "\(path).features", validator: &validator)
        } else {
            validator.report("\(path).features", at: body, "missing required key 'features': list the features to enable, e.g. [\(module?.features.map(\.rawValue).joined(separator: ", ") ?? "ticketing")]")
        }

        guard let module else {
            // Without a module there is no schema; still report duplicate keys inside.
            _ = validator.pairs(of: body, path: path)
            return nil
        }
        let settings = validator.object(body, schema: module.settings, path: path, enabledFeatures: Set(features), extraKeys: ["module", "features"])
        return ConnectorConfiguration(name: name, module: module.name, features: features, settings: settings, location: validator.location(of: keyNode))
    }

    private func features(_ node: Node, module: (any ConnectorModule)?, path: String, validator: inout SchemaValidator) -> [Feature] {
        guard case .sequence(let sequence) = node else {
            validator.report(path, at: node, "expected a list of features, found \(SchemaValidator.kind(of: node)) (write [ticketing, knowledge])")
            return []
        }
        if sequence.isEmpty { validator.report(path, at: node, "enable at least one feature") }
        var features: [Feature] = []
        for (index, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = validator.text(item, path: itemPath, expected: .string) else { continue }
            let feature = Feature(text)
            if !registry.allFeatures.contains(feature) {
                validator.report(itemPath, at: item, "unknown feature \(SchemaValidator.show(text)); known features: \(registry.allFeatures.map(\.rawValue).joined(separator: ", "))")
            } else if let module, !module.features.contains(feature) {
                validator.report(itemPath, at: item, "module '\(module.name)' does not provide the \(text) feature; it provides: \(module.features.map(\.rawValue).joined(separator: ", "))")
            } else if features.contains(feature) {
                validator.report(itemPath, at: item, "the \(text) feature is listed twice")
            } else {
                features.append(feature)
            }
        }
        return features
    }
}
