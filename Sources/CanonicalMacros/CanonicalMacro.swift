import SwiftCompilerPlugin
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Canonical` on a struct: its `CodingKeys` (each stored property's name in snake_case, the way
/// OCPI and the ledger spell keys), and its canonical reader and writer — `init(reading:)` when
/// the struct declares `DomainEventPayload` or `CanonicalReadable`, `write(to:)` when it declares
/// `DomainEventPayload` or `CanonicalWritable` — with the members in UTF-8 byte order of their
/// keys, worked out here at compile time. Every field was spelled five or six times by hand
/// before; now once.
public struct CanonicalMacro: MemberMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard let structure = declaration.as(StructDeclSyntax.self) else {
            throw MacroError("@Canonical applies to a struct")
        }
        let access = structure.modifiers.contains { $0.name.tokenKind == .keyword(.public) } ? "public " : ""
        let inherited = Set(structure.inheritanceClause?.inheritedTypes.map(\.type.trimmedDescription) ?? [])
        let writes = !inherited.isDisjoint(with: ["DomainEventPayload", "CanonicalWritable"])
        let properties = try storedProperties(of: structure)

        var members: [DeclSyntax] = []
        let cases = properties.map { "        case \($0.name) = \"\($0.key)\"" }.joined(separator: "\n")
        members.append("enum CodingKeys: String, CodingKey {\n\(raw: cases)\n}")
        if writes {
            let written = properties.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
                .map { "        object.member(CodingKeys.\($0.name), \($0.name))" }.joined(separator: "\n")
            members.append("\(raw: access)func write(to writer: inout CanonicalWriter) {\n    writer.object { object in\n\(raw: written)\n    }\n}")
        }
        return members
    }

    /// `init(reading:)`, in an extension: declared in the struct, it would take away the
    /// memberwise initializer that the read models' states are built with.
    static func reader(of structure: StructDeclSyntax, type: some TypeSyntaxProtocol) throws -> ExtensionDeclSyntax? {
        let inherited = Set(structure.inheritanceClause?.inheritedTypes.map(\.type.trimmedDescription) ?? [])
        guard !inherited.isDisjoint(with: ["DomainEventPayload", "CanonicalReadable"]) else { return nil }
        let access = structure.modifiers.contains { $0.name.tokenKind == .keyword(.public) } ? "public " : ""
        let properties = try storedProperties(of: structure)
        let assignments = properties.map { property in
            "        \(property.name) = try object.\(property.optional ? "decodeIfPresent" : "decode")(CodingKeys.\(property.name))"
        }.joined(separator: "\n")
        let object = properties.isEmpty ? "_ = try value.object()" : "let object = try value.object()"
        return try ExtensionDeclSyntax(
            "extension \(type.trimmed) {\n    \(raw: access)init(reading value: CanonicalValue) throws {\n        \(raw: object)\n\(raw: assignments)\n    }\n}"
        )
    }

    struct Property {
        let name: String
        let key: String
        let optional: Bool
    }

    /// The instance properties that hold a value, in declaration order (the order `init(reading:)`
    /// assigns them in): not static ones, not computed ones.
    static func storedProperties(of structure: StructDeclSyntax) throws -> [Property] {
        var properties: [Property] = []
        for member in structure.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self),
                !variable.modifiers.contains(where: { $0.name.tokenKind == .keyword(.static) })
            else { continue }
            for binding in variable.bindings {
                if let accessors = binding.accessorBlock?.accessors {
                    switch accessors {
                    case .getter: continue
                    case .accessors(let list) where list.contains(where: { $0.accessorSpecifier.tokenKind == .keyword(.get) }): continue
                    default: break
                    }
                }
                guard let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else {
                    throw MacroError("@Canonical needs one name per stored property")
                }
                guard let type = binding.typeAnnotation?.type else { throw MacroError("@Canonical needs the type of \(name) spelled out") }
                let optional = type.is(OptionalTypeSyntax.self) || type.trimmedDescription.hasPrefix("Optional<")
                properties.append(Property(name: name, key: snakeCase(name), optional: optional))
            }
        }
        return properties
    }

    /// `chargePointId` → `charge_point_id`.
    static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { key, character in
            if character.isUppercase { key += "_" + character.lowercased() } else { key.append(character) }
        }
    }
}

extension CanonicalMacro: ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        guard let structure = declaration.as(StructDeclSyntax.self) else { throw MacroError("@Canonical applies to a struct") }
        return try reader(of: structure, type: type).map { [$0] } ?? []
    }
}

struct MacroError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@main
struct CanonicalMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [CanonicalMacro.self, PayloadCasesMacro.self]
}
