"""EDM building blocks of the SAP mock: entity sets, navigations, function imports, and the EDMX.

`mocks.sap.schema` declares the served services with these; `Service.metadata_xml` renders the
``$metadata`` document that `pyodata` builds its model from (entity types, associations,
complex types for function-import results, function imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Navigation:
    """A navigation property: target entity set, multiplicity and the key mapping (target <- source)."""

    target: str
    many: bool
    keys: tuple[tuple[str, str], ...]
    """(property on the target, property on the source) pairs."""


@dataclass(frozen=True)
class EntitySet:
    name: str
    keys: tuple[str, ...]
    properties: dict[str, str]
    """Property name -> EDM type (Edm.String, Edm.Decimal, Edm.DateTime, Edm.Boolean)."""
    navigations: dict[str, Navigation] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        return f"{self.name}Type"


@dataclass(frozen=True)
class ComplexType:
    """A structured result that is not an entity (e.g. ``GetPDFResult``)."""

    name: str
    properties: dict[str, str]


@dataclass(frozen=True)
class FunctionImport:
    name: str
    method: str
    parameters: tuple[str, ...]
    return_set: str | None = None
    """The entity set it returns an entity of; None when it returns `return_complex`."""
    return_complex: ComplexType | None = None
    max_length: int = 10
    """MaxLength of every (string) parameter."""


@dataclass(frozen=True)
class Service:
    name: str
    sets: dict[str, EntitySet]
    functions: dict[str, FunctionImport] = field(default_factory=dict)

    def metadata_xml(self) -> str:
        return _edmx(self)


S, D, T, B = "Edm.String", "Edm.Decimal", "Edm.DateTime", "Edm.Boolean"


def entity_set_of(name: str, keys: tuple[str, ...], props: dict[str, str], **navs: Navigation) -> EntitySet:
    return EntitySet(name, keys, {**{k: S for k in keys}, **props}, dict(navs))


def _attrs(**values: str) -> str:
    return " ".join(f'{k}="{escape(v)}"' for k, v in values.items())


def _edmx(service: Service) -> str:
    ns = service.name
    types: list[str] = []
    associations: list[str] = []
    association_sets: list[str] = []
    for entity in service.sets.values():
        body = ["<Key>", *(f'<PropertyRef Name="{k}"/>' for k in entity.keys), "</Key>"]
        for name, edm in entity.properties.items():
            extra = ' Precision="16" Scale="3"' if edm == D else ""
            nullable = "false" if name in entity.keys else "true"
            body.append(f"<Property {_attrs(Name=name, Type=edm, Nullable=nullable)}{extra}/>")
        for nav_name, nav in entity.navigations.items():
            assoc = f"assoc_{entity.name}_{nav_name}"
            source_role, target_role = f"FromRole_{assoc}", f"ToRole_{assoc}"
            body.append(
                f"<NavigationProperty {_attrs(Name=nav_name, Relationship=f'{ns}.{assoc}')} "
                f"{_attrs(FromRole=source_role, ToRole=target_role)}/>"
            )
            target = service.sets[nav.target]
            associations.append(
                f'<Association Name="{assoc}">'
                f"<End {_attrs(Type=f'{ns}.{entity.type_name}', Multiplicity='1', Role=source_role)}/>"
                f"<End {_attrs(Type=f'{ns}.{target.type_name}', Multiplicity='*' if nav.many else '0..1')}"
                f' Role="{target_role}"/></Association>'
            )
            association_sets.append(
                f"<AssociationSet {_attrs(Name=f'{assoc}_set', Association=f'{ns}.{assoc}')}>"
                f"<End {_attrs(EntitySet=entity.name, Role=source_role)}/>"
                f"<End {_attrs(EntitySet=target.name, Role=target_role)}/></AssociationSet>"
            )
        types.append(f'<EntityType Name="{entity.type_name}">{"".join(body)}</EntityType>')
    sets = [
        f"<EntitySet {_attrs(Name=e.name, EntityType=f'{ns}.{e.type_name}')}/>" for e in service.sets.values()
    ]
    functions = []
    for function in service.functions.values():
        params = "".join(
            f'<Parameter {_attrs(Name=p, Type=S, Mode="In")} MaxLength="{function.max_length}"/>'
            for p in function.parameters
        )
        if function.return_complex is not None:
            complex_type = function.return_complex
            props = "".join(
                f"<Property {_attrs(Name=name, Type=edm, Nullable='true')}/>"
                for name, edm in complex_type.properties.items()
            )
            types.append(f'<ComplexType Name="{complex_type.name}">{props}</ComplexType>')
            returns = _attrs(ReturnType=f"{ns}.{complex_type.name}")
        else:
            assert function.return_set is not None
            return_type = f"{ns}.{service.sets[function.return_set].type_name}"
            returns = _attrs(ReturnType=return_type, EntitySet=function.return_set)
        functions.append(
            f"<FunctionImport {_attrs(Name=function.name)} {returns}"
            f' m:HttpMethod="{function.method}">{params}</FunctionImport>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
        'xmlns:sap="http://www.sap.com/Protocols/SAPData">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{ns}" xml:lang="en" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        + "".join(types)
        + "".join(associations)
        + f'<EntityContainer Name="{ns}_Entities" m:IsDefaultEntityContainer="true">'
        + "".join(sets)
        + "".join(association_sets)
        + "".join(functions)
        + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
    )
