from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render every form field the same accessible way: label, input, help, then errors."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
