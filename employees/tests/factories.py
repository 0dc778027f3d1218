import factory

from employees import services
from employees.models import Employee, Organization


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    provisioning_enabled = True


class EmployeeFactory(factory.Factory):
    """Builds employees through the service, as the product does."""

    class Meta:
        model = Employee

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    job_title = "Engineer"
    department = "Engineering"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.employee_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        return model_class(**kwargs)
